/** The ways `SimulatedButton.start()` and `press()` fail. */

/** The broker refused the CONNECT (4 = bad username or password, 5 = not authorized) or a SUBSCRIBE (128). */
export class DeviceRefusedError extends Error {
  override name = "DeviceRefusedError";
  constructor(
    message: string,
    readonly returnCode: number,
  ) {
    super(message);
  }
}

export class HubUnreachableError extends Error {
  override name = "HubUnreachableError";
}

/** Settles the promises of presses that can no longer be delivered because the button was stopped. */
export class ButtonStoppedError extends Error {
  override name = "ButtonStoppedError";
}
