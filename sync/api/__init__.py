"""sync's HTTP API: views, their output serializers and the URLs config/urls.py includes once."""
