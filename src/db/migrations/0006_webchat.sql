CREATE TABLE `unanswered_askers` (
	`unanswered_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`unanswered_id`) REFERENCES `unanswered`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `unanswered_askers_pk` ON `unanswered_askers` (`unanswered_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `unanswered_askers_user` ON `unanswered_askers` (`user_id`);--> statement-breakpoint
CREATE INDEX `unanswered_askers_at` ON `unanswered_askers` (`at`);