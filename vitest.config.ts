import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure modules, table-driven, no peers) and `integration` (real Dovecot, PostgreSQL,
// SMTP sink and loopback Bot API, started once by the global setup). A third, `stress` (kill -9, outages, two
// instances; minutes long), exists only when WUYE_STRESS=1 — `npm run test:stress` sets it — so a plain
// `npm test` never runs it.
const stress = process.env.WUYE_STRESS === '1';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          maxWorkers: 2,
          // Runs after the unit project (different worker limits need their own group).
          sequence: { groupOrder: 1 },
        },
      },
      ...(stress
        ? [
            {
              test: {
                name: 'stress',
                include: ['test/stress/**/*.test.ts'],
                globalSetup: ['test/support/global-setup.ts'],
                testTimeout: 280_000,
                hookTimeout: 120_000,
                maxWorkers: 2,
                sequence: { groupOrder: 2 },
              },
            },
          ]
        : []),
    ],
  },
});
