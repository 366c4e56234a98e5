/** Types of db/queries results that client components need (they may not import db/ themselves). */
export type { JobDetail, LineageLink } from "@/db/store/reads";
