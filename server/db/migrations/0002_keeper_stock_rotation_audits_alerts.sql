CREATE TABLE `alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`site_code` text NOT NULL,
	`subject` text NOT NULL,
	`message` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`cleared_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `alerts_open_idx` ON `alerts` (`cleared_at`,`site_code`);--> statement-breakpoint
CREATE INDEX `alerts_key_idx` ON `alerts` (`kind`,`site_code`,`subject`,`cleared_at`);--> statement-breakpoint
CREATE TABLE `audits` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_code` text NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`started_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`closed_at` integer,
	`started_by` text NOT NULL,
	`approved_by` text,
	`approved_at` integer,
	`findings` text,
	`note` text,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audits_site_idx` ON `audits` (`site_code`,`started_at`);--> statement-breakpoint
CREATE TABLE `batch_services` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`batch_id` integer NOT NULL,
	`kind` text NOT NULL,
	`performed_on` text NOT NULL,
	`actor` text NOT NULL,
	`note` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `batch_services_batch_idx` ON `batch_services` (`batch_id`,`kind`);--> statement-breakpoint
CREATE TABLE `quality_checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`batch_id` integer NOT NULL,
	`excursion_id` integer NOT NULL,
	`flagged_at` integer NOT NULL,
	`result` text,
	`result_at` integer,
	`actor` text,
	`note` text,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`excursion_id`) REFERENCES `env_excursions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `quality_checks_batch_excursion_idx` ON `quality_checks` (`batch_id`,`excursion_id`);--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_code` text NOT NULL,
	`item_type_code` text NOT NULL,
	`batch_id` integer,
	`quantity` integer NOT NULL,
	`reference` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`released_at` integer,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reservations_open_idx` ON `reservations` (`site_code`,`item_type_code`,`released_at`);--> statement-breakpoint
ALTER TABLE `item_types` ADD `maintenance_interval_days` integer;--> statement-breakpoint
ALTER TABLE `item_types` ADD `over_factor` real;--> statement-breakpoint
ALTER TABLE `standards` ADD `daily_use_per_cycle` integer DEFAULT 0 NOT NULL;