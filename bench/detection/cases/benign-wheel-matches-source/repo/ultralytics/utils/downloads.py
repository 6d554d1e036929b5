import urllib.request


def safe_download(url, file):
    urllib.request.urlretrieve(url, file)
    return file
