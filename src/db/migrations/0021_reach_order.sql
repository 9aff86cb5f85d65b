ALTER TABLE `handoff_messages` ADD `delivered_via` text;--> statement-breakpoint
ALTER TABLE `people` ADD `reach_order` text;