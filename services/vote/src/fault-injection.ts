import { Counter, Gauge, Registry } from "prom-client";
import { FaultInjectionConfig } from "./config";

/** Demo-only: turns a fraction of vote requests into 500s so the error-rate alert can be watched firing. */
export class FaultInjector {
  readonly enabled: boolean;
  private ratio: number;
  private readonly ratioGauge: Gauge;
  private readonly injected: Counter;

  constructor(config: FaultInjectionConfig, registry: Registry, private readonly random: () => number = Math.random) {
    this.enabled = config.enabled;
    this.ratio = config.enabled ? config.errorRatio : 0;
    this.ratioGauge = new Gauge({
      name: "vote_fault_injection_ratio",
      help: "Fraction of vote requests currently answered 500 on purpose (0 when fault injection is off).",
      registers: [registry],
    });
    this.injected = new Counter({
      name: "fault_injected_total",
      help: "Vote requests answered 500 by fault injection.",
      registers: [registry],
    });
    this.ratioGauge.set(this.ratio);
  }

  get errorRatio(): number {
    return this.ratio;
  }

  setErrorRatio(ratio: number): void {
    if (!this.enabled) throw new Error("fault injection is disabled");
    this.ratio = ratio;
    this.ratioGauge.set(ratio);
  }

  /** True when this request should fail; counts it. */
  shouldFail(): boolean {
    if (this.ratio === 0 || this.random() >= this.ratio) return false;
    this.injected.inc();
    return true;
  }
}
