CREATE TABLE `dispatch_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`order_id` integer NOT NULL,
	`source_site_code` text NOT NULL,
	`source_kind` text NOT NULL,
	`item_type_code` text NOT NULL,
	`batch_id` integer,
	`quantity` integer NOT NULL,
	`distance_km` real NOT NULL,
	`eta_hours` real NOT NULL,
	`dispatched_qty` integer DEFAULT 0 NOT NULL,
	`delivered_qty` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `dispatch_orders`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_type_code`) REFERENCES `item_types`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dispatch_lines_order_idx` ON `dispatch_lines` (`order_id`);--> statement-breakpoint
CREATE INDEX `dispatch_lines_source_idx` ON `dispatch_lines` (`source_site_code`,`item_type_code`);--> statement-breakpoint
CREATE TABLE `dispatch_orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`state` text NOT NULL,
	`emergency_override` integer DEFAULT false NOT NULL,
	`cost_model` text NOT NULL,
	`total_cost` real NOT NULL,
	`greedy_cost` real NOT NULL,
	`arrival_hours` real,
	`shortfall` text NOT NULL,
	`params` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`approved_by` text,
	`approved_at` integer,
	`dispatched_at` integer,
	`delivered_at` integer,
	`closed_at` integer,
	`closed_by` text,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dispatch_orders_incident_idx` ON `dispatch_orders` (`incident_id`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`lat` real NOT NULL,
	`lon` real NOT NULL,
	`personnel` integer DEFAULT 0 NOT NULL,
	`destination_site_code` text,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`destination_site_code`) REFERENCES `sites`(`code`) ON UPDATE no action ON DELETE no action
);
