"""A phone reconnects before its old TCP connection has died: the second publisher on a live
path takes it over, the first is disconnected, and a player stays connected and receives the
new publisher's frames. With takeover switched off, the second publisher is refused instead."""
import os
import time

import harness as h


def takeover_on(server_bin, c):
    with h.Server(server_bin, "airclass:\n  playerLingerAfterUnpublish: 1s\n") as srv:
        out = os.path.join(srv.workdir, "takeover.flv")
        player = h.ffmpeg_play(srv.url(), out)
        srv.wait_log("(waiting for a publisher)")
        first = h.ffmpeg_publish(srv.url(), 30, size="640x360")
        c.check("first publisher live", srv.wait_log("publishing live/stream"))
        time.sleep(3)
        second = h.ffmpeg_publish(srv.url(), 4, size="640x360")
        c.check("log: takeover", srv.wait_log("took over from the previous publisher"),
                srv.log_text()[-2000:])
        c.check("log: old publisher closed as replaced",
                srv.wait_log("replaced by a new publisher"), srv.log_text()[-2000:])
        t0 = time.time()
        h.wait(first, 10, "replaced publisher")
        c.check("first publisher disconnected promptly", time.time() - t0 < 5)
        c.check("second publisher exits cleanly", h.wait(second, 60, "second publisher") == 0,
                second.stderr.read())
        h.wait(player, 30, "player")
        n = len(h.video_packets(out))
        # ~3 s of the first publisher plus 4 s of the second, with the switch costing little.
        c.check("player received both publishers' frames", n >= 6 * 30, f"{n} frames")
        c.check("player stayed on one connection",
                srv.log_text().count("playing live/stream") == 1)
        c.server_ends_cleanly(srv)


def takeover_off(server_bin, c):
    with h.Server(server_bin, "airclass:\n  publisherTakeover: no\n") as srv:
        first = h.ffmpeg_publish(srv.url(), 8, size="640x360")
        srv.wait_log("publishing live/stream")
        time.sleep(1)
        second = h.ffmpeg_publish(srv.url(), 4, size="640x360")
        code = h.wait(second, 20, "refused publisher")
        c.check("second publisher refused", code != 0)
        c.check("log: refusal reason", "already being published" in srv.log_text(),
                srv.log_text()[-2000:])
        c.check("first publisher unaffected", h.wait(first, 30, "first publisher") == 0,
                first.stderr.read())
        c.check("clean shutdown", srv.stop() == 0)


def main():
    args = h.parse_args()
    c = h.Checks()
    # Two servers on their own ports, no shared state: both scenarios run at once.
    h.in_parallel(lambda: takeover_on(args.server, c), lambda: takeover_off(args.server, c))
    c.finish()


if __name__ == "__main__":
    main()
