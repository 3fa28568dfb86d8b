import type { Dispatcher } from 'undici';
import type { SlidingWindow } from './rate-limit';

/**
 * Passes every event on to `handler`, and frees the request's rate-limit slot (`SlidingWindow.take`) when the answer
 * starts or the request fails. The handler it wraps is undici's redirect handler (the interceptor below it), which
 * speaks the current handler interface.
 */
class AnsweredHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly handler: Dispatcher.DispatchHandler,
    private readonly answered: () => void,
  ) {}

  onRequestStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestStart']>>) {
    this.handler.onRequestStart?.(...args);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>) {
    this.handler.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>) {
    this.answered();
    this.handler.onResponseStart?.(...args);
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseData']>>) {
    this.handler.onResponseData?.(...args);
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>) {
    this.handler.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>) {
    this.answered();
    this.handler.onResponseError?.(...args);
  }
}

/** An undici interceptor that sends each request only when the window has room for it, and holds its slot until answered. */
export function rateLimited(window: SlidingWindow): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => {
    void window
      .take()
      .then((answered) => dispatch(options, new AnsweredHandler(handler, answered)))
      // Dispatching after the wait cannot throw to the caller any more: the failure goes where undici sends failures.
      .catch((error: Error) => handler.onResponseError?.(undefined as never, error));
    return true;
  };
}
