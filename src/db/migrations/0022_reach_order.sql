ALTER TABLE `handoff_messages` ADD `delivered_via` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `person_id` integer;--> statement-breakpoint
ALTER TABLE `people` ADD `reach_order` text;