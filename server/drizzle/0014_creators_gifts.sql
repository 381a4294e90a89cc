CREATE TABLE "creator_gift_sends" (
	"id" uuid PRIMARY KEY NOT NULL,
	"gift_id" uuid NOT NULL,
	"gift_name" text NOT NULL,
	"sender_id" uuid NOT NULL,
	"receiver_id" uuid NOT NULL,
	"agency_id" uuid,
	"price" integer NOT NULL,
	"streamer_amount" integer NOT NULL,
	"agency_amount" integer NOT NULL,
	"platform_amount" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator_gifts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"price" integer NOT NULL,
	"streamer_share_bp" integer NOT NULL,
	"agency_share_bp" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_gifts_price_positive" CHECK ("creator_gifts"."price" > 0),
	CONSTRAINT "creator_gifts_shares" CHECK ("creator_gifts"."streamer_share_bp" >= 0 AND "creator_gifts"."agency_share_bp" >= 0 AND "creator_gifts"."streamer_share_bp" + "creator_gifts"."agency_share_bp" <= 10000)
);
--> statement-breakpoint
CREATE INDEX "creator_gift_sends_receiver_idx" ON "creator_gift_sends" USING btree ("receiver_id","created_at","id");--> statement-breakpoint
CREATE INDEX "creator_gift_sends_sender_idx" ON "creator_gift_sends" USING btree ("sender_id","created_at","id");