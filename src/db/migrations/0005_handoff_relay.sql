ALTER TABLE `handoffs` ADD `staff_message_id` text;--> statement-breakpoint
ALTER TABLE `handoffs` ADD `answered_at` integer;--> statement-breakpoint
CREATE INDEX `handoffs_staff_message` ON `handoffs` (`staff_message_id`);