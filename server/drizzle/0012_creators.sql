CREATE TABLE "creator_streamer_agencies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"agency_id" uuid NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator_streamers" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"agency_id" uuid,
	"status" text DEFAULT 'active' NOT NULL,
	"suspended_reason" text,
	"rating" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator_users" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"platform" text,
	"signed_up_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "creator_streamer_agencies_person_idx" ON "creator_streamer_agencies" USING btree ("person_id","joined_at");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_streamer_agencies_open_key" ON "creator_streamer_agencies" USING btree ("person_id") WHERE "creator_streamer_agencies"."left_at" IS NULL;--> statement-breakpoint
CREATE INDEX "creator_streamers_agency_idx" ON "creator_streamers" USING btree ("agency_id","person_id");