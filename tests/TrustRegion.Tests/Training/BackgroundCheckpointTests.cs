using TrustRegion.Numerics;
using TrustRegion.Training;

namespace TrustRegion.Tests.Training;

/// <summary>
/// Periodic and best-model checkpoints written off the training thread (<see cref="BackgroundFileWriter"/>): order and
/// coalescing per path, bounded buffering, drains, failures carried back to the training thread, and the trainer's files
/// byte-identical to a synchronous save of the same state.
/// </summary>
public sealed class BackgroundCheckpointTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30); // only reached when the code under test is wrong

    private readonly string _dir = Directory.CreateTempSubdirectory("trpo-bgckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A write that records what it writes, can be held at its first call until released, then writes atomically.</summary>
    private sealed class RecordingWrite : IDisposable
    {
        private readonly ManualResetEventSlim _started = new(), _release;
        private readonly object _gate = new();
        private readonly List<(string Path, byte[] Contents, int ThreadId)> _writes = [];
        private int _calls;

        public RecordingWrite(bool holdFirst) => _release = new ManualResetEventSlim(!holdFirst);

        public bool TimedOut { get; private set; }

        public List<(string Path, byte[] Contents, int ThreadId)> Writes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _writes];
                }
            }
        }

        public void Write(string path, byte[] contents)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _started.Set();
                TimedOut |= !_release.Wait(s_patience);
            }
            lock (_gate)
            {
                _writes.Add((path, contents.ToArray(), Environment.CurrentManagedThreadId));
            }
            AtomicFile.WriteAllBytes(path, contents);
        }

        public void WaitUntilFirstStarted() => Assert.True(_started.Wait(s_patience), "the worker never started the first write");

        public void Release() => _release.Set();

        public void Dispose()
        {
            _started.Dispose();
            _release.Dispose();
        }
    }

    private static byte[] Bytes(string tag) => System.Text.Encoding.UTF8.GetBytes(tag);

    private string[] TemporaryFiles() => Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories);

    [Fact]
    public void Enqueue_WhileTheDiskIsBusy_WritesEachPathInOrder_NewestWaitingWriteReplacesOlder()
    {
        using var write = new RecordingWrite(holdFirst: true);
        var writer = new BackgroundFileWriter(write.Write);
        string a = Path.Combine(_dir, "a.ckpt"), b = Path.Combine(_dir, "b.ckpt");
        writer.Enqueue(a, Bytes("a1"));
        write.WaitUntilFirstStarted(); // a1 is being written (held): everything below waits behind it
        writer.Enqueue(a, Bytes("a2"));
        writer.Enqueue(b, Bytes("b1"));
        writer.Enqueue(a, Bytes("a3")); // a2 has not started: replaced
        writer.Enqueue(b, Bytes("b2")); // b1 has not started: replaced
        Assert.True(writer.HasThread);
        write.Release();
        writer.Drain();

        Assert.False(write.TimedOut);
        Assert.Equal(["a1", "a3", "b2"], write.Writes.Select(w => System.Text.Encoding.UTF8.GetString(w.Contents)));
        Assert.Equal(3, writer.Completed);
        Assert.Equal(2, writer.Coalesced);
        Assert.Equal(Bytes("a3"), File.ReadAllBytes(a));
        Assert.Equal(Bytes("b2"), File.ReadAllBytes(b));
        Assert.Empty(TemporaryFiles());
        Assert.False(writer.HasThread);
        Assert.DoesNotContain(write.Writes, w => w.ThreadId == Environment.CurrentManagedThreadId);
    }

    [Fact]
    public void Enqueue_Producer_RunsOnTheWorker_AReplacedOneNeverRuns_AFailingOneSurfaces()
    {
        using var write = new RecordingWrite(holdFirst: true);
        var writer = new BackgroundFileWriter(write.Write);
        string a = Path.Combine(_dir, "a.ckpt");
        int producedOn = 0;
        bool replacedRan = false;
        writer.Enqueue(a, Bytes("a1"));
        write.WaitUntilFirstStarted();
        writer.Enqueue(a, () =>
        {
            replacedRan = true;
            return Bytes("a2");
        });
        writer.Enqueue(a, () =>
        {
            producedOn = Environment.CurrentManagedThreadId;
            return Bytes("a3");
        });
        write.Release();
        writer.Drain();
        Assert.False(replacedRan);
        Assert.NotEqual(0, producedOn);
        Assert.NotEqual(Environment.CurrentManagedThreadId, producedOn);
        Assert.Equal(Bytes("a3"), File.ReadAllBytes(a));

        writer.Enqueue(a, () => throw new InvalidDataException("cannot assemble"));
        Assert.Equal("cannot assemble", Assert.Throws<InvalidDataException>(writer.Drain).Message);
        Assert.Equal(Bytes("a3"), File.ReadAllBytes(a)); // the previous complete file stays
    }

    [Fact]
    public void Enqueue_WhenCapacityPathsAreWaiting_WaitsForTheWorkerToStartOne()
    {
        using var write = new RecordingWrite(holdFirst: true);
        var writer = new BackgroundFileWriter(write.Write, capacity: 1);
        string a = Path.Combine(_dir, "a"), b = Path.Combine(_dir, "b"), c = Path.Combine(_dir, "c");
        writer.Enqueue(a, Bytes("a"));
        write.WaitUntilFirstStarted();
        writer.Enqueue(b, Bytes("b1")); // fills the one waiting place
        writer.Enqueue(b, Bytes("b2")); // same path: replaces b1 without waiting
        using var handedOff = new ManualResetEventSlim();
        var third = new Thread(() =>
        {
            writer.Enqueue(c, Bytes("c"));
            handedOff.Set();
        });
        third.Start();
        Assert.False(handedOff.Wait(TimeSpan.FromMilliseconds(200)), "a third buffer was taken while the disk was busy and the waiting place full");
        write.Release();
        Assert.True(handedOff.Wait(s_patience));
        third.Join();
        writer.Drain();
        Assert.Equal([a, b, c], write.Writes.Select(w => w.Path));
        Assert.Equal(Bytes("b2"), File.ReadAllBytes(b));
        Assert.Equal(Bytes("c"), File.ReadAllBytes(c));
    }

    [Fact]
    public void Drain_WaitsForEveryWrite()
    {
        var writer = new BackgroundFileWriter((path, contents) =>
        {
            Thread.Sleep(30); // a slow disk
            AtomicFile.WriteAllBytes(path, contents);
        });
        var expected = new Dictionary<string, byte[]>();
        for (int i = 0; i < 3; i++)
        {
            string path = Path.Combine(_dir, $"f{i}.ckpt");
            var rng = new Rng((ulong)i);
            expected[path] = new byte[(AtomicFile.ChunkSize * 2) + i]; // several chunks
            for (int j = 0; j < expected[path].Length; j++)
            {
                expected[path][j] = (byte)rng.NextUInt64();
            }
            writer.Enqueue(path, expected[path]);
        }
        writer.Drain();
        Assert.Equal(3, writer.Completed);
        foreach ((string path, byte[] contents) in expected)
        {
            Assert.Equal(contents, File.ReadAllBytes(path));
        }
        Assert.Empty(TemporaryFiles());
        Assert.False(writer.HasThread);
        writer.Drain(); // nothing pending: returns at once
    }

    [Fact]
    public void FailedWrite_IsRethrownAtTheDrain_WithItsTypeAndPath_ThenWritingWorksAgain()
    {
        var writer = new BackgroundFileWriter();
        string missing = Path.Combine(_dir, "no-such-folder", "latest.ckpt");
        writer.Enqueue(missing, Bytes("x"));
        var e = Assert.Throws<DirectoryNotFoundException>(writer.Drain);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AtomicFile), e.StackTrace, StringComparison.Ordinal); // the worker's frames are kept
        writer.Drain(); // reported once

        string good = Path.Combine(_dir, "latest.ckpt");
        writer.Enqueue(good, Bytes("ok"));
        writer.Drain();
        Assert.Equal(Bytes("ok"), File.ReadAllBytes(good));
        Assert.Empty(TemporaryFiles());
    }

    [Fact]
    public void FailedWrite_IsRethrownAtTheNextHandOff_WhichIsNotTaken()
    {
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "not a folder");
        string underFile = Path.Combine(file, "latest.ckpt"); // the parent is a file
        var writer = new BackgroundFileWriter();
        writer.Enqueue(underFile, Bytes("x"));
        SpinWait.SpinUntil(() => writer.Completed == 1, s_patience);
        string good = Path.Combine(_dir, "good.ckpt");
        var e = Assert.ThrowsAny<IOException>(() => writer.Enqueue(good, Bytes("first")));
        Assert.Contains(underFile, e.Message, StringComparison.Ordinal);
        writer.Drain();
        Assert.False(File.Exists(good));

        writer.Enqueue(good, Bytes("second"));
        writer.Drain();
        Assert.Equal(Bytes("second"), File.ReadAllBytes(good));
    }

    [Fact]
    public void DrainAndTakeFailure_ReturnsTheFailureInsteadOfThrowing()
    {
        var writer = new BackgroundFileWriter();
        string missing = Path.Combine(_dir, "none", "x.ckpt");
        writer.Enqueue(missing, Bytes("x"));
        var failure = writer.DrainAndTakeFailure();
        Assert.IsType<DirectoryNotFoundException>(failure?.SourceException);
        Assert.Null(writer.DrainAndTakeFailure());
    }

    [Fact]
    public void Constructor_CapacityBelowOne_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new BackgroundFileWriter(capacity: 0));
        Assert.Contains("capacity", e.Message, StringComparison.Ordinal);
    }

    // Trainer: CartPole, 2 envs × 128 steps = 256 steps per iteration, a checkpoint every iteration.
    private const int StepsPerIteration = 256;

    private static TrpoConfig Config(long evalFreq = 0) => ConfigResolver.Resolve("CartPole-v1") with
    {
        Seed = 3, NumSteps = 128, NumEnvs = 2, BatchSize = 64, VecEnv = VecEnvMode.Sequential,
        CheckpointFreq = StepsPerIteration, EvalFreq = evalFreq, EvalEpisodes = 2,
    };

    private sealed class StopHere : Exception;

    [Fact]
    public void Train_PeriodicAndBestCheckpoints_AreWrittenOffTheTrainingThread_ByteIdenticalToASynchronousSave()
    {
        const int Saved = 4; // the callback throws at iteration 5, before its checkpoint: the latest file holds iteration 4
        string latest = Path.Combine(_dir, "latest.ckpt"), best = Path.Combine(_dir, "best_model.ckpt");
        using var write = new RecordingWrite(holdFirst: false);
        using var trainer = new Trainer(Config(evalFreq: StepsPerIteration));
        trainer.CheckpointFiles = new BackgroundFileWriter(write.Write);
        double bestMean = double.NegativeInfinity;
        long bestStep = 0;
        var outputs = new TrainerOutputs
        {
            CheckpointPath = latest,
            BestModelPath = best,
            Callback = r =>
            {
                if (r.Evaluation is { } e && e.ReturnMean > bestMean)
                {
                    (bestMean, bestStep) = (e.ReturnMean, r.TotalSteps);
                }
                return r.Iteration <= Saved ? true : throw new StopHere();
            },
        };
        Assert.Throws<StopHere>(() => trainer.Train(100 * StepsPerIteration, outputs));

        // Drained although the callback threw: complete files, no temporary file, no thread left; every write off this thread.
        Assert.False(trainer.CheckpointFiles.HasThread);
        Assert.Empty(TemporaryFiles());
        Assert.DoesNotContain(write.Writes, w => w.ThreadId == Environment.CurrentManagedThreadId);
        // One write per iteration, unless the worker fell behind and a newer one replaced a waiting one; the newest lands last.
        long[] written = [.. write.Writes.Where(w => w.Path == latest).Select(w => Checkpoint.Parse(w.Contents, w.Path).GetInt64("counters/total_steps"))];
        Assert.InRange(written.Length, 1, Saved);
        Assert.True(written.Zip(written.Skip(1)).All(p => p.First < p.Second), string.Join(", ", written));
        Checkpoint onDisk = Checkpoint.Load(latest);
        Assert.Equal(Saved * StepsPerIteration, onDisk.GetInt64("counters/total_steps"));
        Assert.Equal(bestStep, Checkpoint.Load(best).GetInt64("counters/total_steps"));
        Assert.Equal(bestMean, Checkpoint.Load(best).GetDouble("trainer/best_eval_mean"));

        // The same state saved synchronously (the wall time, part of the state, taken from the file) gives the same bytes.
        using var twin = new Trainer(Config(evalFreq: StepsPerIteration));
        twin.Train(Saved * StepsPerIteration);
        twin.ElapsedBefore = onDisk.GetDouble("trainer/elapsed_seconds");
        string reference = Path.Combine(_dir, "reference.ckpt");
        twin.Save(reference);
        Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(latest));
    }

    [Fact]
    public void Train_WhileTheDiskStalls_KeepsTraining_AndTheNewestCheckpointLandsLast()
    {
        const int Iterations = 5;
        string latest = Path.Combine(_dir, "latest.ckpt");
        using var write = new RecordingWrite(holdFirst: true);
        using var trainer = new Trainer(Config());
        trainer.CheckpointFiles = new BackgroundFileWriter(write.Write);
        var outputs = new TrainerOutputs
        {
            CheckpointPath = latest,
            Callback = r =>
            {
                if (r.Iteration == Iterations)
                {
                    write.Release(); // the loop got here with the first write still held: it never waited for the disk
                }
                return true;
            },
        };
        Assert.Equal(TrainingStop.Completed, trainer.Train(Iterations * StepsPerIteration, outputs));

        Assert.False(write.TimedOut, "the training loop waited for a held write");
        long[] steps = [.. write.Writes.Select(w => Checkpoint.Parse(w.Contents, w.Path).GetInt64("counters/total_steps"))];
        Assert.Equal(Iterations * StepsPerIteration, steps[^1]); // the newest periodic checkpoint was written, last
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second), string.Join(", ", steps));
        Assert.True(steps.Length < Iterations && trainer.CheckpointFiles.Coalesced >= 1, string.Join(", ", steps));
        Assert.False(trainer.CheckpointFiles.HasThread);
        Assert.Equal(Iterations * StepsPerIteration, Checkpoint.Load(latest).GetInt64("counters/total_steps")); // then the final one
        Assert.True(trainer.SessionTimings.OutputSeconds > 0);
    }

    [Fact]
    public void Train_UnwritableCheckpointPath_FailsWithTheWriteErrorNamingThePath()
    {
        string latest = Path.Combine(_dir, "no-such-folder", "latest.ckpt");
        using var trainer = new Trainer(Config());
        var e = Assert.Throws<DirectoryNotFoundException>(() => trainer.Train(3 * StepsPerIteration, new TrainerOutputs { CheckpointPath = latest }));
        Assert.Contains(latest, e.Message, StringComparison.Ordinal);
        Assert.False(trainer.CheckpointFiles.HasThread);
        Assert.False(Directory.Exists(Path.GetDirectoryName(latest)));
    }

    [Fact]
    public void Train_CallbackThrowsWhileAWriteFailed_TheCallbackExceptionWins()
    {
        string latest = Path.Combine(_dir, "no-such-folder", "latest.ckpt");
        using var trainer = new Trainer(Config());
        var outputs = new TrainerOutputs
        {
            CheckpointPath = latest, // iteration 1's write fails in the background; iteration 2's callback throws before its hand-off
            Callback = r => r.Iteration < 2 ? true : throw new StopHere(),
        };
        Assert.Throws<StopHere>(() => trainer.Train(10 * StepsPerIteration, outputs));
        Assert.Equal(1, trainer.CheckpointFiles.Completed);
        Assert.False(trainer.CheckpointFiles.HasThread);
        trainer.CheckpointFiles.Drain(); // the dropped failure does not come back later
    }
}
