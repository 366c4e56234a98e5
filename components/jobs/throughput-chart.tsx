"use client";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useIsClient } from "@/components/ui/local-store";

function minuteLabel(ms: number) {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** Successes and failures per minute over the last hour (stacked bars). */
export function ThroughputChart({
  points,
}: {
  points: { minute: number; success: number; failure: number }[];
}) {
  const isClient = useIsClient();
  const total = points.reduce((sum, p) => sum + p.success + p.failure, 0);
  if (!isClient) return <div className="h-56" />;
  return (
    <div
      className="h-56 w-full"
      role="img"
      aria-label={`Throughput chart: ${total} jobs finished in the last hour`}
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart
          data={points}
          margin={{ top: 8, right: 8, left: -16, bottom: 0 }}
          barCategoryGap={1}
        >
          <CartesianGrid
            vertical={false}
            strokeDasharray="3 3"
            stroke="currentColor"
            strokeOpacity={0.1}
          />
          <XAxis
            dataKey="minute"
            tickFormatter={minuteLabel}
            tick={{ fontSize: 11, fill: "#71717a" }}
            tickLine={false}
            axisLine={false}
            minTickGap={40}
          />
          <YAxis
            allowDecimals={false}
            tick={{ fontSize: 11, fill: "#71717a" }}
            tickLine={false}
            axisLine={false}
          />
          <Tooltip
            cursor={{ fill: "rgba(113,113,122,0.1)" }}
            labelFormatter={(v) => minuteLabel(Number(v))}
            contentStyle={{ borderRadius: 8, fontSize: 12 }}
          />
          <Bar
            dataKey="success"
            name="Successes"
            stackId="a"
            fill="#10b981"
            isAnimationActive={false}
          />
          <Bar
            dataKey="failure"
            name="Failures"
            stackId="a"
            fill="#f43f5e"
            radius={[2, 2, 0, 0]}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
