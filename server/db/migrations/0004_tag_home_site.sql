ALTER TABLE `tag_presence` ADD `home_site_code` text;--> statement-breakpoint
CREATE INDEX `tag_presence_home_idx` ON `tag_presence` (`home_site_code`,`item_type_code`);