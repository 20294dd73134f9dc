"""_cassettes"""
