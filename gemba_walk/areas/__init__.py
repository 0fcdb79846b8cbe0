"""Plant sites and areas, their QR labels and scans."""
