CREATE TABLE "content_page_views" (
	"hour" timestamp with time zone NOT NULL,
	"url" text NOT NULL,
	"views" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "content_page_views_hour_url_pk" PRIMARY KEY("hour","url")
);
--> statement-breakpoint
CREATE INDEX "question_events_kind_idx" ON "question_events" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "questions_created_idx" ON "questions" USING btree ("created_at");