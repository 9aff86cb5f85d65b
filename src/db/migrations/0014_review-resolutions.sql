CREATE TABLE `review_resolutions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`how` text NOT NULL,
	`intent` text,
	`version` text,
	`signatures` text NOT NULL,
	`question_count` integer NOT NULL,
	`actor` text NOT NULL,
	`resolved_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `review_resolutions_at` ON `review_resolutions` (`resolved_at`);--> statement-breakpoint
CREATE INDEX `review_resolutions_key` ON `review_resolutions` (`key`);