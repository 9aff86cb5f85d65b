ALTER TABLE "outbox" ADD COLUMN "zalo_type" text;--> statement-breakpoint
CREATE INDEX "outbox_zalo_type" ON "outbox" USING btree ("zalo_type","address","done_at");