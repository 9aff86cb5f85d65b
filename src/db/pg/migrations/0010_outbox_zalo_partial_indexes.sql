DROP INDEX "outbox_zalo_type";--> statement-breakpoint
CREATE INDEX "outbox_zalo_sent_by_address" ON "outbox" USING btree ("address","done_at") WHERE zalo_type IS NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_zalo_sent_by_type" ON "outbox" USING btree ("zalo_type","done_at") WHERE zalo_type IS NOT NULL;