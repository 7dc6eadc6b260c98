package org.splitnve.daemon.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.splitnve.transport.AgentRunner;

/** How handlers reach an engine: a task on its thread ({@link AgentRunner#call}), awaited with a bound. */
final class EngineThread {
    /** Seconds a read of the engine's state may wait for the engine thread. */
    static final long READ_SECONDS = 10;

    private EngineThread() {
    }

    /** Something done on the engine thread; it may refuse with an {@link ApiError}. */
    @FunctionalInterface
    interface Call<T> {
        T call() throws ApiError;
    }

    static <T> T read(AgentRunner<?> runner, Call<T> c) throws ApiError {
        return await(runner.call(c::call), READ_SECONDS);
    }

    /** The future's value; its ApiError as is; 503 when the daemon stops; 504 (code -1) after {@code seconds}. */
    static <T> T await(CompletableFuture<T> f, long seconds) throws ApiError {
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable c = e.getCause();
            while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof ApiError a) {
                throw a;
            }
            if (c instanceof RejectedExecutionException) {
                throw new ApiError(503, "the daemon is stopping", 0, "");
            }
            throw new ApiError(500, "internal error: " + c, 0, "");
        } catch (TimeoutException e) {
            throw new ApiError(504, "no answer within " + seconds + " s (the operation may still complete; GET it"
                    + " to see)", -1, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the daemon is stopping", 0, "");
        }
    }
}
