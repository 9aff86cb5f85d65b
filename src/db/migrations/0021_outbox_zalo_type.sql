ALTER TABLE `outbox` ADD `zalo_type` text;--> statement-breakpoint
CREATE INDEX `outbox_zalo_type` ON `outbox` (`zalo_type`,`address`,`done_at`);