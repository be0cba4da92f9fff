"""Publishing: what is made from a rendered episode for listeners (subtitles, ...)."""
