ALTER TABLE `broadcasts` ADD `owner_unit_id` integer;--> statement-breakpoint
CREATE INDEX `broadcasts_owner` ON `broadcasts` (`owner_unit_id`,`id`);--> statement-breakpoint
ALTER TABLE `link_codes` ADD `join_user_id` integer;--> statement-breakpoint
-- Back-fill: a broadcast created with an office admin's token belongs to that office.
UPDATE `broadcasts` SET `owner_unit_id` = (SELECT t.`unit_id` FROM `admin_tokens` t WHERE t.`role` = 'office_admin' AND `broadcasts`.`created_by` = 'token:' || t.`id` || ' ' || t.`name`);
