"""Run the sandbox standalone on loopback: `python -m workestra.sandbox --port 8900`."""

import argparse
import ipaddress

import uvicorn

from .server import create_sandbox_app


def _loopback(host: str) -> str:
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError("the sandbox has no real authentication: loopback only")
    return host


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m workestra.sandbox", description=__doc__)
    parser.add_argument("--host", type=_loopback, default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    args = parser.parse_args()
    base = f"http://{args.host}:{args.port}"
    print(f"sandbox:           {base}", flush=True)
    print(f"microsoft login:   {base}/microsoft/login", flush=True)
    print(f"microsoft graph:   {base}/microsoft/graph/v1.0", flush=True)
    print(f"google sign-in:    {base}/google/o/oauth2/v2/auth", flush=True)
    print(f"google calendar:   {base}/google/calendar/v3", flush=True)
    print(f"control API:       {base}/_sandbox", flush=True)
    uvicorn.run(create_sandbox_app(), host=args.host, port=args.port, log_level="info", ws="none")


if __name__ == "__main__":
    main()
