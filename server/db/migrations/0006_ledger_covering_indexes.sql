DROP INDEX `ledger_site_item_idx`;--> statement-breakpoint
CREATE INDEX `ledger_site_batch_idx` ON `stock_ledger` (`site_code`,`batch_id`,`quantity`);--> statement-breakpoint
CREATE INDEX `ledger_site_item_idx` ON `stock_ledger` (`site_code`,`item_type_code`,`quantity`);