CREATE TABLE `query_batch_items` (
	`batch_id` integer NOT NULL,
	`rank` integer NOT NULL,
	`item_id` integer NOT NULL,
	`score` real NOT NULL,
	`explore` integer NOT NULL,
	FOREIGN KEY (`batch_id`) REFERENCES `query_batches`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `query_batch_items_rank_uq` ON `query_batch_items` (`batch_id`,`rank`);--> statement-breakpoint
CREATE INDEX `query_batch_items_item_idx` ON `query_batch_items` (`item_id`);--> statement-breakpoint
CREATE TABLE `query_batches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`strategy` text NOT NULL,
	`params` text NOT NULL,
	`seed` integer NOT NULL,
	`size` integer NOT NULL,
	`picked` integer NOT NULL,
	`exploration` real NOT NULL,
	`model_version_id` integer,
	`scoring_run_id` integer,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `query_batches_project_idx` ON `query_batches` (`project_id`,`id`);