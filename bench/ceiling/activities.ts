/** The ceiling's only activity: does nothing, so only orchestration is measured. */
export const ceilingActivities = {
  async noop(): Promise<void> {},
};
export type CeilingActivities = typeof ceilingActivities;
