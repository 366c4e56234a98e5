/** The job page's data, as components see it (re-exported type; components never import db/). */
export type { JobDetail as JobDetailView } from "@/app/(dashboard)/_lib/types";
