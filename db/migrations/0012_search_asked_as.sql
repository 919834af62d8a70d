CREATE TABLE "search_asked_as" (
	"id" uuid PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"phrase" text NOT NULL,
	"question_id" uuid,
	"source" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_by" uuid
);
--> statement-breakpoint
ALTER TABLE "search_asked_as" ADD CONSTRAINT "search_asked_as_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_asked_as" ADD CONSTRAINT "search_asked_as_removed_by_users_id_fk" FOREIGN KEY ("removed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "search_asked_as_url_phrase_idx" ON "search_asked_as" USING btree ("url","phrase");--> statement-breakpoint
CREATE INDEX "search_asked_as_created_idx" ON "search_asked_as" USING btree ("created_at");