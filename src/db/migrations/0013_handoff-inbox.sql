CREATE TABLE `handoff_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`handoff_id` integer NOT NULL,
	`direction` text NOT NULL,
	`author` text NOT NULL,
	`text` text NOT NULL,
	`at` integer NOT NULL,
	`delivery` text,
	FOREIGN KEY (`handoff_id`) REFERENCES `handoffs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `handoff_messages_handoff` ON `handoff_messages` (`handoff_id`,`id`);--> statement-breakpoint
ALTER TABLE `handoff_replies` ADD `message_id` integer;