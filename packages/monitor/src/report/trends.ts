// The analytics' trends of the last hours (characters, memory), read with a time limit.
import { absentReason } from '../collect/absent.js';
import { redact } from '../collect/read.js';
import type { MonitorStores, Reading } from '../types.js';
import type { TrendsReading } from './types.js';

export async function readTrends(
  stores: MonitorStores,
  hours: number,
  timeoutMs: number,
): Promise<Reading<TrendsReading>> {
  const analytics = stores.analytics;
  if (!analytics) return { status: 'not-configured', reason: absentReason(stores, 'analytics') };
  let timer: NodeJS.Timeout | undefined;
  try {
    const [characters, memory] = await Promise.race([
      Promise.all([
        analytics.characterTrends({ hours }),
        analytics.memoryEfficiency({ days: Math.max(1, Math.ceil(hours / 24)) }),
      ]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`analytics trends: no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return {
      status: 'ok',
      hours,
      memory,
      characters: characters.map((c) => ({
        character: c.character,
        interactions: c.interactions,
        avgResponseTimeMs: c.avgResponseTimeMs,
        successRate: c.successRate,
        avgSatisfaction: c.avgSatisfaction,
        direction: c.direction,
        hourly: c.hourly.map((h) => ({
          hour: h.hour.toISOString(),
          interactions: h.interactions,
          avgResponseTimeMs: h.avgResponseTimeMs,
          successRate: h.successRate,
          avgSatisfaction: h.avgSatisfaction,
        })),
      })),
    };
  } catch (error) {
    return { status: 'unavailable', error: redact(error instanceof Error ? error.message : String(error)) };
  } finally {
    clearTimeout(timer);
  }
}
