CREATE TABLE `env_excursions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_code` text NOT NULL,
	`device_id` text NOT NULL,
	`item_type_code` text NOT NULL,
	`measurement` text NOT NULL,
	`bound` text NOT NULL,
	`limit_value` real NOT NULL,
	`peak_value` real NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`batch_ids` text NOT NULL,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `env_excursions_site_idx` ON `env_excursions` (`site_code`,`started_at`);--> statement-breakpoint
CREATE INDEX `env_excursions_open_idx` ON `env_excursions` (`device_id`,`ended_at`);--> statement-breakpoint
CREATE TABLE `reader_antennas` (
	`device_id` text NOT NULL,
	`antenna` integer NOT NULL,
	`role` text NOT NULL,
	`zone` text NOT NULL,
	PRIMARY KEY(`device_id`, `antenna`),
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `shelf_movements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`site_code` text NOT NULL,
	`item_type_code` text NOT NULL,
	`from_units` integer NOT NULL,
	`to_units` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`journal_id` integer NOT NULL,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shelf_movements_site_idx` ON `shelf_movements` (`site_code`,`occurred_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `shelf_movements_journal_idx` ON `shelf_movements` (`journal_id`,`device_id`);--> statement-breakpoint
CREATE TABLE `tag_presence` (
	`epc` text PRIMARY KEY NOT NULL,
	`site_code` text NOT NULL,
	`zone` text,
	`item_type_code` text NOT NULL,
	`batch_id` integer,
	`units` integer NOT NULL,
	`present` integer NOT NULL,
	`in_transit_from` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`last_device_id` text,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tag_presence_site_idx` ON `tag_presence` (`site_code`,`item_type_code`,`present`);--> statement-breakpoint
CREATE TABLE `tag_ranges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`gtin14` text NOT NULL,
	`company_prefix_digits` integer,
	`serial_from` integer NOT NULL,
	`serial_to` integer NOT NULL,
	`item_type_code` text NOT NULL,
	`batch_id` integer,
	`site_code` text,
	`units` integer DEFAULT 1 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tag_ranges_gtin_idx` ON `tag_ranges` (`gtin14`,`serial_from`);--> statement-breakpoint
CREATE TABLE `unknown_tags` (
	`epc` text NOT NULL,
	`site_code` text NOT NULL,
	`device_id` text NOT NULL,
	`reason` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`read_count` integer NOT NULL,
	PRIMARY KEY(`epc`, `site_code`)
);
--> statement-breakpoint
ALTER TABLE `devices` ADD `online` integer;--> statement-breakpoint
ALTER TABLE `devices` ADD `status_at` integer;