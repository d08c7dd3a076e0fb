"""《课后服务协议书》: its template text, versions, signing and paper receipt."""
