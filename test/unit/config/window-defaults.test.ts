import { parseConfig } from '../../../lambdas/config/config';
import { DEFAULT_WINDOW_CONFIG } from '../../../lambdas/config/window-defaults.generated';

it('the generated window defaults are the schema defaults (regenerate with npx tsx scripts/generate-window-defaults.ts)', () => {
  expect(DEFAULT_WINDOW_CONFIG).toEqual(parseConfig({}).window);
});
