CREATE TABLE `env_evaluated` (
	`device_id` text NOT NULL,
	`measurement` text NOT NULL,
	`latest_at` integer NOT NULL,
	PRIMARY KEY(`device_id`, `measurement`)
);
--> statement-breakpoint
CREATE TABLE `env_pending_breaches` (
	`device_id` text NOT NULL,
	`measurement` text NOT NULL,
	`item_type_code` text NOT NULL,
	`bound` text NOT NULL,
	`limit_value` real NOT NULL,
	`started_at` integer NOT NULL,
	`readings` integer NOT NULL,
	`evidence` text NOT NULL,
	PRIMARY KEY(`device_id`, `measurement`, `item_type_code`, `bound`),
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `env_excursions` ADD `evidence` text;--> statement-breakpoint
ALTER TABLE `item_types` ADD `excursion_min_readings` integer;--> statement-breakpoint
ALTER TABLE `item_types` ADD `excursion_min_duration_s` integer;