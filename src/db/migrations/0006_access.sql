ALTER TABLE `broadcasts` ADD `owner_unit_id` integer;--> statement-breakpoint
CREATE INDEX `broadcasts_owner` ON `broadcasts` (`owner_unit_id`,`id`);--> statement-breakpoint
ALTER TABLE `link_codes` ADD `join_user_id` integer;