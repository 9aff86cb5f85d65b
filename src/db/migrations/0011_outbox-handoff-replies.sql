CREATE TABLE `handoff_replies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`handoff_id` integer NOT NULL,
	`text` text NOT NULL,
	`staff_chat` text NOT NULL,
	`staff_message_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`handoff_id`) REFERENCES `handoffs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `handoff_replies_handoff` ON `handoff_replies` (`handoff_id`);