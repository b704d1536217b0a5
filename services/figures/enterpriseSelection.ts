import type { Config, EnterpriseConfig } from '../../config/schema';

/** The configured enterprises among `ids`, in configuration order (a role's view of the district). */
export function enterprisesIn(config: Pick<Config, 'enterprises'>, ids: readonly string[]): EnterpriseConfig[] {
  const wanted = new Set(ids);
  return config.enterprises.filter((e) => wanted.has(e.id));
}
