CREATE TABLE `batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_code` text NOT NULL,
	`item_type_code` text NOT NULL,
	`lot_code` text NOT NULL,
	`production_date` text NOT NULL,
	`expiry_date` text,
	`received_qty` integer NOT NULL,
	`received_at` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `batches_site_item_idx` ON `batches` (`site_code`,`item_type_code`);--> statement-breakpoint
CREATE INDEX `batches_expiry_idx` ON `batches` (`expiry_date`);--> statement-breakpoint
CREATE TABLE `categories` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_zh` text,
	`sort_order` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`journal_id` integer,
	`received_at` integer NOT NULL,
	`client_id` text,
	`topic` text NOT NULL,
	`payload` blob NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_received_idx` ON `dead_letters` (`received_at`);--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`site_code` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`model` text,
	`enabled` integer DEFAULT true NOT NULL,
	`secret_hash` text,
	`last_seen_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `devices_site_idx` ON `devices` (`site_code`);--> statement-breakpoint
CREATE TABLE `ingest_journal` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`received_at` integer NOT NULL,
	`client_id` text,
	`topic` text NOT NULL,
	`payload` blob NOT NULL,
	`state` integer DEFAULT 0 NOT NULL,
	`processed_at` integer
);
--> statement-breakpoint
CREATE INDEX `journal_pending_idx` ON `ingest_journal` (`state`,`id`);--> statement-breakpoint
CREATE TABLE `item_types` (
	`code` text PRIMARY KEY NOT NULL,
	`category_code` text NOT NULL,
	`name` text NOT NULL,
	`name_zh` text,
	`unit` text NOT NULL,
	`unit_weight_kg` real NOT NULL,
	`lifecycle` text NOT NULL,
	`shelf_life_days` integer,
	`service_life_days` integer,
	`inspection_interval_days` integer,
	`storage_min_temp_c` real,
	`storage_max_temp_c` real,
	`storage_max_rh_pct` real,
	`rotation_trigger_share` real,
	`rotation_trigger_days` integer,
	`rotation_cycle_days` integer,
	`rotation_proportion` real,
	`kit_qty_per_person` real DEFAULT 0 NOT NULL,
	`units_per_tag` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`category_code`) REFERENCES `categories`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `item_types_category_idx` ON `item_types` (`category_code`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shelf_state` (
	`device_id` text PRIMARY KEY NOT NULL,
	`weight_kg` real NOT NULL,
	`units` integer NOT NULL,
	`reading_at` integer NOT NULL,
	`journal_id` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `shelves` (
	`id` text PRIMARY KEY NOT NULL,
	`site_code` text NOT NULL,
	`device_id` text NOT NULL,
	`item_type_code` text NOT NULL,
	`tare_kg` real NOT NULL,
	`unit_weight_kg` real NOT NULL,
	`zone` text,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shelves_device_idx` ON `shelves` (`device_id`);--> statement-breakpoint
CREATE INDEX `shelves_site_idx` ON `shelves` (`site_code`);--> statement-breakpoint
CREATE TABLE `sites` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_zh` text,
	`tier` text NOT NULL,
	`parent_code` text,
	`city` text,
	`lat` real NOT NULL,
	`lon` real NOT NULL,
	`lead_time_hours` real,
	`supplies_categories` text,
	`demo` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sites_tier_idx` ON `sites` (`tier`);--> statement-breakpoint
CREATE INDEX `sites_parent_idx` ON `sites` (`parent_code`);--> statement-breakpoint
CREATE TABLE `standards` (
	`tier` text NOT NULL,
	`item_type_code` text NOT NULL,
	`required_qty` integer NOT NULL,
	`min_qty` integer NOT NULL,
	PRIMARY KEY(`tier`, `item_type_code`),
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `stock_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`site_code` text NOT NULL,
	`item_type_code` text NOT NULL,
	`batch_id` integer,
	`kind` text NOT NULL,
	`quantity` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`counterpart_site_code` text,
	`device_id` text,
	`tag_epc` text,
	`reference` text,
	`actor` text,
	`note` text,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ledger_site_item_idx` ON `stock_ledger` (`site_code`,`item_type_code`);--> statement-breakpoint
CREATE INDEX `ledger_batch_idx` ON `stock_ledger` (`batch_id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`epc` text PRIMARY KEY NOT NULL,
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
CREATE INDEX `tags_site_idx` ON `tags` (`site_code`);--> statement-breakpoint
CREATE TABLE `user_sites` (
	`user_id` integer NOT NULL,
	`site_code` text NOT NULL,
	PRIMARY KEY(`user_id`, `site_code`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`password_hash` text NOT NULL,
	`role` text NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);