/**
 * The Python programs of the two guides, verbatim (extracted from shared/seeds/*.txt).
 * Tests run them as peers of socklab after substituting HOST/PORT with `guideProgram()`
 * from ./python.js. Do not edit the code here: interop must be with the guides' own code.
 */

/** 2) TCP client "hola mundo"; port 9001 */
export const G1_02_CLIENT = String.raw`import socket

def main():
    HOST, PORT = "127.0.0.1", 9001
    # AF_INET = IPv4, SOCK_STREAM = TCP
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((HOST, PORT))                # 3-way handshake TCP
        s.sendall(b"hola mundo\n")            # envío atómico (o en fragmentos internos)
        data = s.recv(4096)                    # bloquea hasta recibir algo o cerrar
        print(f"< {data!r}")

if __name__ == "__main__":
    main()
`;

/** 3) TCP line client (uno/dos/tres, half-close); port 9002 */
export const G1_03_CLIENT = "import socket\n\ndef send_lines(sock, lines):\n    for line in lines:\n        if not line.endswith(\"\\n\"):\n            line += \"\\n\"\n        sock.sendall(line.encode(\"utf-8\"))\n\ndef recv_until_closed(sock):\n    # Acumula hasta que el peer cierre; en un protocolo real parar\u00edamos por un token/longitud\n    chunks = []\n    while True:\n        b = sock.recv(1024)\n        if not b:  # 0 bytes \u2192 peer cerr\u00f3\n            break\n        chunks.append(b)\n    return b\"\".join(chunks)\n\ndef main():\n    HOST, PORT = \"127.0.0.1\", 9002\n    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:\n        s.connect((HOST, PORT))\n        send_lines(s, [\"uno\", \"dos\", \"tres\"])  # desde la terminal del `nc` pod\u00e9s escribir respuestas\n        s.shutdown(socket.SHUT_WR)               # anuncias que ya no enviar\u00e1s m\u00e1s\n        data = recv_until_closed(s)\n        print(data.decode(\"utf-8\", errors=\"replace\"))\n\nif __name__ == \"__main__\":\n    main()\n";

/** 4) TCP bulk reader (recv_all until EOF); port 9003 */
export const G1_04_CLIENT = String.raw`import socket

def recv_all(sock):
    chunks = []
    while True:
        b = sock.recv(64 * 1024)  # 64 KiB por iteración
        if not b:
            break
        chunks.append(b)
    return b"".join(chunks)

def main():
    HOST, PORT = "127.0.0.1", 9003
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.connect((HOST, PORT))
        data = recv_all(s)
        print(f"Recibidos {len(data)} bytes")

if __name__ == "__main__":
    main()
`;

/** 5) TCP client with timeouts and retries; port 9004 */
export const G1_05_CLIENT = String.raw`import socket
import time

HOST, PORT = "127.0.0.1", 9004

def try_connect(max_retries=5, base_backoff=0.5):
    for attempt in range(1, max_retries + 1):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(1.5)  # segundos
                s.connect((HOST, PORT))
                s.sendall(b"ping\n")
                data = s.recv(1024)
                return data
        except (socket.timeout, ConnectionRefusedError) as e:
            sleep_s = base_backoff * attempt
            print(f"Intento {attempt} falló ({e}). Reintento en {sleep_s:.1f}s...")
            time.sleep(sleep_s)
    raise TimeoutError("Servidor no disponible tras varios reintentos")

if __name__ == "__main__":
    print(try_connect())
`;

/** 6) TCP client over getaddrinfo (localhost); port 9005 */
export const G1_06_CLIENT = String.raw`import socket

def connect_first(host, port):
    # getaddrinfo devuelve posibles (familia, tipo, protocolo, canonname, sockaddr)
    for fam, stype, proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        try:
            with socket.socket(fam, stype, proto) as s:
                s.connect(sockaddr)
                s.sendall(b"hola\n")
                return s.recv(1024)
        except OSError:
            continue
    raise OSError("No se pudo conectar en ninguna familia/dirección")

if __name__ == "__main__":
    print(connect_first("localhost", 9005))
`;

/** 7) UDP ping-pong client; port 9006 */
export const G1_07_CLIENT = String.raw`import socket

HOST, PORT = "127.0.0.1", 9006

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.sendto(b"ping", (HOST, PORT))
    data, addr = s.recvfrom(2048)
    print(f"< {data!r} desde {addr}")
`;

/** 8) UDP client with timeout + retransmission (TIME); port 9007 */
export const G1_08_CLIENT = String.raw`import socket

HOST, PORT = "127.0.0.1", 9007

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(1.0)
    retries = 3
    for i in range(1, retries + 1):
        try:
            s.sendto(b"TIME", (HOST, PORT))
            data, _ = s.recvfrom(2048)
            print("Respuesta:", data.decode())
            break
        except socket.timeout:
            print(f"Timeout intento {i}; reintentando...")
    else:
        print("Sin respuesta tras reintentos")
`;

/** 9) UDP broadcast discovery; broadcast 255.255.255.255 port 9008 (tests MUST substitute 127.255.255.255) */
export const G1_09_CLIENT = String.raw`import socket

PORT = 9008
BROADCAST = ("255.255.255.255", PORT)

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.settimeout(1.0)
    s.sendto(b"DISCOVER?", BROADCAST)
    try:
        data, addr = s.recvfrom(4096)
        print(f"{addr} -> {data!r}")
    except socket.timeout:
        print("Nadie respondió al broadcast (o la red lo filtra)")
`;

/** 10) TCP echo server, sequential; 127.0.0.1:9010 */
export const G1_10_SERVER = String.raw`import socket

HOST, PORT = "127.0.0.1", 9010

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)  # backlog
    print(f"Escuchando en {HOST}:{PORT} ... Ctrl+C para salir")

    while True:  # loop de sesiones (secuenciales)
        conn, addr = srv.accept()
        print("Conexión de", addr)
        with conn:
            while True:
                b = conn.recv(4096)
                if not b:
                    break  # peer cerró
                conn.sendall(b)  # eco
        print("Cierre de", addr)
`;

/** 11) TCP line-command server (ERR desconocido); 127.0.0.1:9011 */
export const G1_11_SERVER = String.raw`import socket
import time

HOST, PORT = "127.0.0.1", 9011

def handle_line(line: str) -> str:
    line = line.strip()
    if line == "PING":
        return "PONG\n"
    if line.startswith("ECHO "):
        return line[5:] + "\n"
    if line == "TIME":
        return time.strftime("%Y-%m-%d %H:%M:%S") + "\n"
    return "ERR desconocido\n"

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)
    print(f"CMD en {HOST}:{PORT}")

    while True:
        conn, addr = srv.accept()
        with conn, conn.makefile("rwb", buffering=0) as f:
            for raw in f:  # itera por líneas (bloqueante)
                resp = handle_line(raw.decode("utf-8", "replace"))
                f.write(resp.encode("utf-8"))
`;

/** 12) TCP echo server with idle timeout (IDLE_TIMEOUT = 10); 127.0.0.1:9012 */
export const G1_12_SERVER = String.raw`import socket

HOST, PORT = "127.0.0.1", 9012
IDLE_TIMEOUT = 10  # segundos

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)
    print(f"Timeout server en {HOST}:{PORT} (IDLE={IDLE_TIMEOUT}s)")

    while True:
        conn, addr = srv.accept()
        with conn:
            conn.settimeout(IDLE_TIMEOUT)
            try:
                while True:
                    b = conn.recv(4096)
                    if not b:
                        break
                    conn.sendall(b)
            except socket.timeout:
                print("Inactividad excedida para", addr)
                # cierre implícito al salir del with
`;

/** 13) UDP echo server; 0.0.0.0:9013 (tests substitute 127.0.0.1) */
export const G1_13_SERVER = String.raw`import socket

HOST, PORT = "0.0.0.0", 9013

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((HOST, PORT))
    print(f"UDP eco en {HOST}:{PORT}")
    while True:
        data, addr = s.recvfrom(4096)
        print(f"{addr} -> {data!r}")
        s.sendto(data, addr)
`;

/** 14) UDP TIME server; 0.0.0.0:9014 (tests substitute 127.0.0.1) */
export const G1_14_SERVER = String.raw`import socket
import time

HOST, PORT = "0.0.0.0", 9014

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((HOST, PORT))
    print(f"UDP TIME en {HOST}:{PORT}")
    while True:
        data, addr = s.recvfrom(2048)
        msg = data.decode("utf-8", "replace").strip()
        if msg == "TIME":
            s.sendto(time.strftime("%H:%M:%S").encode(), addr)
        else:
            s.sendto(b"ERR\n", addr)
`;

/** 2.1 line-echo server with a manual buffer (server_tcp_ipv4_echo.py); 127.0.0.1:9101 */
export const G2_1_SERVER_ECHO = String.raw`# server_tcp_ipv4_echo.py
import socket

HOST = "127.0.0.1"   # loopback IPv4
PORT = 9101

# 1) Crear socket TCP/IPv4
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)
    print(f"[TCP/IPv4] Escuchando en {HOST}:{PORT} — Ctrl+C para salir")

    try:
        while True:  # servidor secuencial
            conn, addr = srv.accept()
            print("Conexión de", addr)
            with conn:
                # --- ECO POR LÍNEAS SIN makefile() ---
                # TCP es un stream de bytes: podemos recibir trozos parciales.
                # Acumulamos en 'buffer' y vamos extrayendo líneas terminadas en \n.

                buffer = bytearray()
                while True:
                    chunk = conn.recv(4096)   # puede devolver 0..4096 bytes
                    if not chunk:             # 0 bytes = el peer cerró escritura
                        break
                    buffer.extend(chunk)
                    # Procesar todas las líneas completas presentes en el buffer
                    while True:
                        nl = buffer.find(b"\n")
                        if nl == -1:
                            break  # no hay línea completa aún
                        line = buffer[:nl]            # sin el \n

                        # Normalizamos CRLF si hiciera falta (telnet en Windows, etc.)
                        if line.endswith(b"\r"):
                            line = line[:-1]

                        # Respuesta: prefijamos "eco: " y devolvemos con \n
                        resp = b"eco: " + line + b"\n"
                        conn.sendall(resp)

                        # Consumimos la línea + el salto de línea del buffer
                        del buffer[:nl+1]
                print("Cierre de", addr)
    except KeyboardInterrupt:
        print("\nServidor detenido")
`;

/** 2.1b line-echo server with makefile(); 127.0.0.1:9101 */
export const G2_1_SERVER_ECHO_MAKEFILE = "# server_tcp_ipv4_echo_makefile.py\nimport socket\n\nHOST = \"127.0.0.1\"\nPORT = 9101\n\nwith socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:\n    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n    srv.bind((HOST, PORT))\n    srv.listen(8)\n    print(f\"[TCP/IPv4 makefile] {HOST}:{PORT}\")\n\n    try:\n        while True:\n            conn, addr = srv.accept()\n            print(\"Conexi\u00f3n de\", addr)\n            # `makefile(\"rwb\", buffering=0)` \u2192 binario, read/write, sin buffer adicional\n            with conn, conn.makefile(\"rwb\", buffering=0) as f:\n                for raw in f:  # lee l\u00ednea a l\u00ednea hasta EOF\n                    # 'raw' incluye el salto de l\u00ednea si vino del peer\n                    line = raw.rstrip(b\"\\r\\n\")\n                    f.write(b\"eco: \" + line + b\"\\n\")\n            print(\"Cierre de\", addr)\n    except KeyboardInterrupt:\n        print(\"\\nServidor detenido\")\n";

/** 2.1c client (hola/mundo/fin, half-close); port 9101 */
export const G2_1_CLIENT = String.raw`# client_tcp_ipv4.py
import socket

HOST = "127.0.0.1"
PORT = 9101

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
    c.connect((HOST, PORT))
    for msg in ["hola", "mundo", "fin"]:
        c.sendall((msg + "\n").encode("utf-8"))
    c.shutdown(socket.SHUT_WR)

    buf = []
    while True:
        b = c.recv(4096)
        if not b: 
            break
        buf.append(b)

print(b"".join(buf).decode("utf-8", "replace"))
`;

/** 2.2 command server (unknown -> ERR); 127.0.0.1:9102 */
export const G2_2_SERVER_CMD = String.raw`# server_tcp_ipv4_cmd.py
import socket
import time

HOST, PORT = "127.0.0.1", 9102

def handle(line: str) -> str:
    line = line.strip()
    if line == "PING":
        return "PONG\n"
    if line.startswith("ECHO "):
        return line[5:] + "\n"
    if line == "TIME":
        return time.strftime("%Y-%m-%d %H:%M:%S") + "\n"
    return "ERR\n"

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)
    print(f"[TCP/IPv4 CMD] {HOST}:{PORT}")

    try:
        while True:
            conn, addr = srv.accept()
            print("Conexión de", addr)
            with conn, conn.makefile("rwb", buffering=0) as f:
                for raw in f:
                    resp = handle(raw.decode("utf-8", "replace"))
                    f.write(resp.encode("utf-8"))
            print("Cierre de", addr)
    except KeyboardInterrupt:
        print("\nServidor detenido")
`;

/** 2.2 command client (PING, ECHO hola, TIME, FOO); port 9102 */
export const G2_2_CLIENT_CMD = String.raw`# client_tcp_cmd.py
import socket

HOST, PORT = "127.0.0.1", 9102

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
    c.connect((HOST, PORT))
    for msg in ["PING", "ECHO hola", "TIME", "FOO"]:
        c.sendall((msg + "\n").encode("utf-8"))
    c.shutdown(socket.SHUT_WR)

    data = []
    while True:
        b = c.recv(1024)
        if not b: 
            break
        data.append(b)

print(b"".join(data).decode("utf-8", "replace"))
`;

/** 2.3 UDP echo server; 0.0.0.0:9201 (tests substitute 127.0.0.1) */
export const G2_3_SERVER_UDP_ECHO = String.raw`# server_udp_ipv4_echo.py
import socket

HOST, PORT = "0.0.0.0", 9201  # 0.0.0.0 = todas las interfaces

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind((HOST, PORT))
    print(f"[UDP/IPv4] {HOST}:{PORT}")
    try:
        while True:
            data, addr = s.recvfrom(4096)  # bloquea hasta recibir
            print(f"{addr} -> {data!r}")
            s.sendto(data, addr)           # eco al remitente
    except KeyboardInterrupt:
        print("\nServidor UDP detenido")
`;

/** 2.3 UDP client (ping); port 9201 */
export const G2_3_CLIENT_UDP = String.raw`# client_udp_ipv4.py
import socket

HOST, PORT = "127.0.0.1", 9201

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
    # Enviamos y esperamos respuesta (bloqueante)
    c.sendto(b"ping", (HOST, PORT))
    data, addr = c.recvfrom(4096)
    print(f"< {data!r} desde {addr}")
`;

/** 2.4 TCP/IPv6 echo server; [::1]:9301 */
export const G2_4_SERVER_IPV6_ECHO = String.raw`# server_tcp_ipv6_echo.py
import socket

HOST, PORT = "::1", 9301  # loopback IPv6

with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((HOST, PORT))
    srv.listen(8)
    print(f"[TCP/IPv6] [{HOST}]:{PORT}")
    
    try:
        while True:
            conn, addr = srv.accept()  # addr es tupla IPv6 (ip, port, flowinfo, scopeid)
            print("Conexión de", addr)
            with conn:
                while True:
                    b = conn.recv(4096)
                    if not b: 
                        break
                    conn.sendall(b)
            print("Cierre de", addr)
    except KeyboardInterrupt:
        print("\nServidor IPv6 detenido")
`;

/** 2.4 TCP/IPv6 client (hola ipv6); port 9301 */
export const G2_4_CLIENT_IPV6 = String.raw`# client_tcp_ipv6.py
import socket

HOST, PORT = "::1", 9301

with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as c:
    c.connect((HOST, PORT, 0, 0))  # flowinfo=0, scopeid=0 para loopback
    c.sendall(b"hola ipv6\n")
    print(c.recv(1024).decode("utf-8", "replace"))
`;

/** 2.5 dual-stack server (hola dual); [::]:9401 */
export const G2_5_SERVER_DUALSTACK = String.raw`# server_tcp_dualstack.py
import socket

HOST6, PORT = "::", 9401  # todas las interfaces IPv6; con dual-stack aceptará IPv4-mapeado

with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as srv:
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Desactivar V6 only → permitir IPv4-mapeado si el kernel lo soporta
    try:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        print("Dual-stack habilitado")
    except OSError as e:
        # El sistema podría no permitir cambiarlo: seguirá solo IPv6
        print(f"Advertencia: No se pudo habilitar dual-stack: {e}")

    srv.bind((HOST6, PORT))
    srv.listen(16)
    print(f"[TCP dual-stack] [{HOST6}]:{PORT} — acepta ::1 y (si habilitado) 127.0.0.1 via mapeo")

    try:
        while True:
            conn, addr = srv.accept()
            # addr[0] podría ser IPv6 real o IPv4-mapeado (p. ej., ::ffff:127.0.0.1)
            print("Conexión de", addr)
            with conn:
                conn.sendall(b"hola dual\n")
    except KeyboardInterrupt:
        print("\nServidor dual-stack detenido")
`;

/** 2.5 dual-stack clients, IPv4 then IPv6; port 9401 */
export const G2_5_CLIENT_DUALSTACK = String.raw`# client_dualstack.py
import socket

PORT = 9401

# Cliente IPv4
try:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c4:
        c4.connect(("127.0.0.1", PORT))
        print("IPv4:", c4.recv(1024).decode("utf-8", "replace"))
except Exception as e:
    print(f"Error IPv4: {e}")

# Cliente IPv6
try:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as c6:
        c6.connect(("::1", PORT, 0, 0))
        print("IPv6:", c6.recv(1024).decode("utf-8", "replace"))
except Exception as e:
    print(f"Error IPv6: {e}")
`;

/** 2.6 recv_all(sock, nbytes=None) helper (a function, not a program) */
export const G2_6_RECV_ALL = String.raw`def recv_all(sock, nbytes=None, chunk=65536):
    """Lee hasta EOF o hasta nbytes si se especifica."""
    parts = []
    total = 0
    while True:
        try:
            b = sock.recv(min(chunk, nbytes - total) if nbytes else chunk)
            if not b:
                break
            parts.append(b)
            total += len(b)
            if nbytes is not None and total >= nbytes:
                break
        except socket.error:
            break
    return b"".join(parts)
`;
