CREATE TABLE "creator_store_accounts" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"account_token" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_store_accounts_token_key" UNIQUE("account_token")
);
--> statement-breakpoint
CREATE TABLE "creator_store_notifications" (
	"store" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"subtype" text,
	"transaction_id" text,
	"purchase_id" uuid,
	"outcome" text NOT NULL,
	"signed_at" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_store_notifications_store_id_pk" PRIMARY KEY("store","id")
);
--> statement-breakpoint
CREATE TABLE "creator_store_prices" (
	"product_id" uuid NOT NULL,
	"store" text NOT NULL,
	"store_product_id" text NOT NULL,
	"price" integer NOT NULL,
	"currency" text NOT NULL,
	CONSTRAINT "creator_store_prices_product_id_store_pk" PRIMARY KEY("product_id","store"),
	CONSTRAINT "creator_store_prices_price_non_negative" CHECK ("creator_store_prices"."price" >= 0),
	CONSTRAINT "creator_store_prices_currency_code" CHECK ("creator_store_prices"."currency" ~ '^[A-Z]{3}$')
);
--> statement-breakpoint
CREATE TABLE "creator_store_products" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"coins" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "creator_store_products_coins_positive" CHECK ("creator_store_products"."coins" > 0)
);
--> statement-breakpoint
CREATE TABLE "creator_store_purchases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"store" text NOT NULL,
	"transaction_id" text NOT NULL,
	"order_id" text,
	"original_transaction_id" text,
	"product_id" uuid NOT NULL,
	"store_product_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"coins" integer NOT NULL,
	"environment" text NOT NULL,
	"status" text DEFAULT 'credited' NOT NULL,
	"purchased_at" timestamp with time zone NOT NULL,
	"credited_at" timestamp with time zone NOT NULL,
	"credit_transfer_id" uuid NOT NULL,
	"refunded_at" timestamp with time zone,
	"refund_reason" text,
	"refund_transfer_id" uuid,
	"refund_overdraft" integer,
	CONSTRAINT "creator_store_purchases_coins_positive" CHECK ("creator_store_purchases"."coins" > 0 AND "creator_store_purchases"."quantity" > 0)
);
--> statement-breakpoint
ALTER TABLE "ledger_accounts" DROP CONSTRAINT "ledger_accounts_available_non_negative";--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD COLUMN "overdraft" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD COLUMN "overdrawn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "creator_store_prices" ADD CONSTRAINT "creator_store_prices_product_id_creator_store_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."creator_store_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator_store_purchases" ADD CONSTRAINT "creator_store_purchases_product_id_creator_store_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."creator_store_products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "creator_store_notifications_transaction_idx" ON "creator_store_notifications" USING btree ("store","transaction_id");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_store_prices_store_product_key" ON "creator_store_prices" USING btree ("store","store_product_id");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_store_purchases_transaction_key" ON "creator_store_purchases" USING btree ("store","transaction_id");--> statement-breakpoint
CREATE INDEX "creator_store_purchases_person_idx" ON "creator_store_purchases" USING btree ("person_id","credited_at","id");--> statement-breakpoint
CREATE INDEX "creator_store_purchases_credited_idx" ON "creator_store_purchases" USING btree ("credited_at","id");--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_overdraft_non_negative" CHECK ("ledger_accounts"."overdraft" >= 0);--> statement-breakpoint
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_available_within_overdraft" CHECK ("ledger_accounts"."may_go_negative" OR "ledger_accounts"."posted" - "ledger_accounts"."held" >= -"ledger_accounts"."overdraft");