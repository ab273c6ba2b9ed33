"""Run the sandbox: ``python -m prakerja.sandbox [--host H] [--port 8001] [--smtp-port 8025]``.

Port 0 picks a free port; the line ``SANDBOX READY http=<port> smtp=<port>``
tells a test fixture which ports were taken.
"""

import argparse
import os
import signal
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m prakerja.sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--smtp-port", type=int, default=8025)
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "prakerja.sandbox.settings"
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from prakerja.sandbox.smtp import OutboxHandler

    call_command("migrate", verbosity=0, interactive=False)
    from django.conf import settings

    from prakerja.sandbox import population
    from prakerja.sandbox.models import Person

    # The demo identities are upserted on every start (make run's demo uses
    # them); a registry with nobody else in it gets a generated population.
    population.load_csv(population.DEMO_CSV)
    if settings.DEFAULT_FAMILIES and not Person.objects.exclude(nik__in=population.demo_niks()).exists():
        population.generate(families=settings.DEFAULT_FAMILIES, seed=settings.DEFAULT_SEED)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            pass  # the platform logs its own calls; the sandbox stays quiet

    smtp = Controller(OutboxHandler(), hostname=args.host, port=args.smtp_port)
    if args.smtp_port == 0:
        # aiosmtpd's readiness probe connects to the configured port, so
        # reserve a free one first and hand it over.
        import socket

        with socket.socket() as probe:
            probe.bind((args.host, 0))
            smtp.port = probe.getsockname()[1]
    smtp.start()
    httpd = ThreadedWSGIServer((args.host, args.port), QuietHandler)
    httpd.daemon_threads = True
    httpd.set_app(get_wsgi_application())
    http_port = httpd.server_address[1]

    def stop(signum, frame):
        raise KeyboardInterrupt

    # Both signals explicitly: a process started in the background by a
    # non-interactive shell inherits SIGINT as ignored and would never stop.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        # Inside the try: a signal may arrive as soon as READY is read.
        print(f"SANDBOX READY http={http_port} smtp={smtp.port}", flush=True)
        print(f"Sandbox: outbox http://{args.host}:{http_port}/outbox, SMTP {args.host}:{smtp.port}", flush=True)
        print(f"Sandbox: Dukcapil http://{args.host}:{http_port}/dukcapil/verify, {Person.objects.count()} "
              f"residents (demo identities at http://{args.host}:{http_port}/)", flush=True)
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        smtp.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
