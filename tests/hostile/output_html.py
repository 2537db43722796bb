# hostile: prints HTML (a <script> tag, an <img onerror>) instead of the reply
import socket

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
reply = client_socket.recv(1024).decode()
client_socket.close()
print('<script>alert("owned")</script><img src=x onerror=alert(1)>&amp;' + reply + '</pre></div>')
