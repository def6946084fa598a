import type { DataFrame } from '@grafana/data';

import type { SeriesView } from '@rootspan/views';

/**
 * The points of a series the report names (`name{labels}`), from the panel's own frames: the Prometheus
 * frame whose value field carries exactly those labels (the name as `__name__`). Display only.
 */
export function seriesPointsFrom(frames: DataFrame[]): (series: SeriesView) => Array<[number, number]> {
  return (series) => {
    const want = new Map(series.labels);
    for (const frame of frames) {
      const time = frame.fields.find((f) => f.type === 'time');
      const value = frame.fields.find((f) => f.type === 'number' && f.labels);
      if (!time || !value?.labels) {
        continue;
      }
      const labels = { ...value.labels };
      const name = labels.__name__ ?? frame.name;
      delete labels.__name__;
      const keys = Object.keys(labels);
      if (name !== series.name || keys.length !== want.size || keys.some((k) => want.get(k) !== labels[k])) {
        continue;
      }
      const points: Array<[number, number]> = [];
      for (let i = 0; i < frame.length; i++) {
        const t = Number(time.values[i]);
        const v = Number(value.values[i]);
        if (Number.isFinite(t) && Number.isFinite(v)) {
          points.push([t, v]);
        }
      }
      return points;
    }
    return [];
  };
}
