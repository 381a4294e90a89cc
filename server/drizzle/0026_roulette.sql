CREATE TABLE "roulette_pool" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"waiting_since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator_videos" (
	"file_id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "video_file_id" uuid;--> statement-breakpoint
ALTER TABLE "creator_interactions" ADD COLUMN "views_by_a" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "creator_interactions" ADD COLUMN "views_by_b" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "creator_interactions" ADD COLUMN "last_view_by_a" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "creator_interactions" ADD COLUMN "last_view_by_b" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "creator_interactions" ADD COLUMN "last_matched_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "roulette_pool_waiting_idx" ON "roulette_pool" USING btree ("role","waiting_since");--> statement-breakpoint
CREATE INDEX "creator_videos_person_idx" ON "creator_videos" USING btree ("person_id","added_at");