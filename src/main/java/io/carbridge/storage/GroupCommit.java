package io.carbridge.storage;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: callers on many threads hand in items; one writer thread commits everything waiting in a single
 * transaction and then completes each caller's future. One commit per batch instead of one per item is what lets a
 * durable database (H2 with WRITE_DELAY=0, PostgreSQL with fsync) keep up with a burst. The writer is a thread of
 * Camel's {@link org.apache.camel.spi.ExecutorServiceManager}, named after the group commit.
 *
 * @param <T> what is written
 * @param <R> the result each caller gets back
 */
public final class GroupCommit<T, R> extends ServiceSupport implements CamelContextAware {

    /** Writes one batch in one transaction and returns one result per item, in order. */
    @FunctionalInterface
    public interface Batch<T, R> {
        List<R> commit(List<T> items) throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final String name;
    private final Batch<T, R> batch;
    private final int maxBatch;
    private final long minCommitIntervalNanos;
    private final Duration stopTimeout;
    private final BlockingQueue<Pending<T, R>> queue;
    /** The last commit failed: the database is probably unavailable. */
    private volatile boolean failing;
    /** While failing, whether an item that finds out if the database is back is already on its way. */
    private final AtomicBoolean probing = new AtomicBoolean();

    private volatile boolean running;
    private CamelContext camelContext;
    private ExecutorService writer;

    /**
     * @param minCommitInterval the shortest time between the starts of two commits: under steady load the writer
     *     gathers what arrives meanwhile into one commit ({@link Duration#ZERO}: commit as soon as the previous commit
     *     ends)
     */
    public GroupCommit(String name, Batch<T, R> batch, int maxBatch, Duration minCommitInterval, Duration stopTimeout) {
        this.name = name;
        this.batch = batch;
        this.maxBatch = maxBatch;
        this.minCommitIntervalNanos = minCommitInterval.toNanos();
        this.stopTimeout = stopTimeout;
        this.queue = new ArrayBlockingQueue<>(maxBatch * 16);
    }

    /**
     * Queues an item, waiting at most {@code timeout} for room. The future fails with
     * {@link StorageUnavailableException} when the item could not be queued or its batch could not be committed.
     *
     * <p>After a failed commit, one item at a time goes on to find out whether the database is back, and the others
     * fail at once: otherwise every caller would wait out the pool's connection timeout, holding its request thread,
     * and under load the requests would pile up unanswered instead of getting their 503.
     */
    public CompletableFuture<R> submit(T item, Duration timeout) {
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        boolean probe = false;
        if (failing) {
            if (!probing.compareAndSet(false, true)) {
                pending.result()
                        .completeExceptionally(
                                new StorageUnavailableException(name + ": the database is unavailable", null));
                return pending.result();
            }
            probe = true;
        }
        try {
            if (!running || !queue.offer(pending, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                pending.result()
                        .completeExceptionally(
                                new StorageUnavailableException(name + " is not accepting writes", null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.result()
                    .completeExceptionally(
                            new StorageUnavailableException("interrupted while queueing for " + name, e));
        }
        if (probe && pending.result().isCompletedExceptionally()) {
            probing.set(false); // this probe never reached the writer: the next caller probes
        }
        return pending.result();
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doStart() {
        running = true;
        writer = camelContext.getExecutorServiceManager().newSingleThreadExecutor(this, name);
        writer.execute(this::writeLoop);
    }

    /** Commits what is already queued, then stops. */
    @Override
    protected void doStop() {
        running = false;
        if (writer != null) {
            camelContext.getExecutorServiceManager().shutdownGraceful(writer, stopTimeout.toMillis());
        }
        // what was queued as the writer stopped (or after it): failed, never left waiting
        List<Pending<T, R>> left = new ArrayList<>();
        queue.drainTo(left);
        fail(left, new StorageUnavailableException(name + " stopped before committing", null));
    }

    /**
     * A commit costs about the same whether it holds one item or a hundred (H2 re-serialises the changed pages and its
     * chunk metadata each time), so at a steady rate the writer does not commit more often than every
     * {@code minCommitInterval}: it waits for the rest of the interval, gathering the items that arrive meanwhile.
     * After a quiet moment the interval has long passed and a lone item is committed at once.
     */
    private void writeLoop() {
        List<Pending<T, R>> pending = new ArrayList<>(maxBatch);
        List<T> items = new ArrayList<>(maxBatch);
        long lastCommitStart = System.nanoTime() - minCommitIntervalNanos;
        while (running || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                pending.add(first);
                long commitAt = lastCommitStart + minCommitIntervalNanos;
                for (long wait = commitAt - System.nanoTime();
                        wait > 0 && pending.size() < maxBatch && running;
                        wait = commitAt - System.nanoTime()) {
                    Pending<T, R> next = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        pending.add(next);
                    }
                }
                queue.drainTo(pending, maxBatch - pending.size());
                lastCommitStart = System.nanoTime();
                pending.forEach(p -> items.add(p.item()));
                List<R> results = batch.commit(items);
                failing = false;
                for (int i = 0; i < pending.size(); i++) {
                    pending.get(i).result().complete(results.get(i));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(pending, new StorageUnavailableException(name + " was interrupted", e));
                return;
            } catch (Throwable e) { // anything, an Error included: fail the batch and go on, the writer must not die
                LOG.warn("{}: could not commit {} item(s): {}", name, pending.size(), e.toString());
                failing = true;
                fail(
                        pending,
                        e instanceof StorageUnavailableException unavailable
                                ? unavailable
                                : new StorageUnavailableException("database error: " + e.getMessage(), e));
            } finally {
                if (!pending.isEmpty()) {
                    probing.set(false);
                }
                pending.clear();
                items.clear();
            }
        }
    }

    private static <T, R> void fail(List<Pending<T, R>> pending, StorageUnavailableException failure) {
        pending.forEach(p -> p.result().completeExceptionally(failure));
    }

    private record Pending<T, R>(T item, CompletableFuture<R> result) {}
}
