/*
 * A loading boundary for this list only. Not one for the whole dashboard: a boundary above a
 * page that can answer 404 (a job, a schedule) streams its skeleton with status 200 before the
 * page can call notFound().
 */
export { PageSkeleton as default } from "@/components/ui/page-skeleton";
