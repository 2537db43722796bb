# hostile: opens 2000 connections to 127.0.0.1:9090 and keeps them all open (problem 2)
import socket

kept = []
for _ in range(2000):
    try:
        s = socket.socket()
        s.settimeout(0.5)
        s.connect(('127.0.0.1', 9090))
        kept.append(s)
    except OSError:
        try:
            s.close()
        except Exception:
            pass
kept[0].send('Wake up, Neo'.encode())
