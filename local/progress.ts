import { MultiBar, Presets } from "cli-progress";
import { START_STEPS, type ProgressEvent } from "./stack";

/** Shows a start: a bar with the steps in progress on a terminal, one line per finished step always. */
export interface StartProgress {
  onProgress(event: ProgressEvent): void;
  /** A line above the bar (or plain, without a terminal). */
  log(line: string): void;
  done(): void;
}

export function startProgress(stream: NodeJS.WriteStream = process.stdout): StartProgress {
  const began = Date.now();
  const running = new Set<string>();
  let finished = 0;
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)}s`;

  if (!stream.isTTY) {
    const write = (line: string) => stream.write(`${line}\n`);
    return {
      onProgress(event) {
        if (event.status === "done") write(`✓ ${event.step.padEnd(17)} ${event.detail ?? ""} (${elapsed()})`);
      },
      log: write,
      done: () => undefined,
    };
  }

  const bars = new MultiBar({ format: "{bar} {value}/{total} steps | {steps}", hideCursor: true, clearOnComplete: true, stream }, Presets.shades_classic);
  const bar = bars.create(START_STEPS.length, 0, { steps: "" });
  return {
    onProgress(event) {
      if (event.status === "started") running.add(event.step);
      else {
        running.delete(event.step);
        finished++;
        bars.log(`✓ ${event.step.padEnd(17)} ${event.detail ?? ""} (${elapsed()})\n`);
      }
      bar.update(finished, { steps: running.size > 0 ? `starting ${[...running].join(", ")}` : "" });
    },
    log: (line) => bars.log(`${line}\n`),
    done: () => bars.stop(),
  };
}
